"""Web plumbing shared by every domain: templates, middleware, guards, forms, error pages."""
