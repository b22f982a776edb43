"""Travel and rooms of the Jiangsu exchange cohorts: travel groups with ordered legs, teachers assigned to groups
and their exceptions, hotels and rooms, the rooming draft and its edits (docs/exchange.md)."""
