"""Host schools and mentors of the Jiangsu host cities, the pairing of exchange teachers with them, and the host
coordinators' side: the teachers a host city receives, their pairing, travel and rooms, and the cohort's report
(docs/hosting.md)."""
