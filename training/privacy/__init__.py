"""A teacher's personal-data requests (PIPL): export everything held about her, or erase it. Reads and writes the
tables of the domains that hold her data (people, enrollment, check-in, certificates, mail); none of them imports
this package."""
