"""Stand-ins and standards for individual aid [700, 800]: the people who apply, their documents, the
invoice registry, and the bank's investigation feed.

- :mod:`oracle.aid.resident_id`: the citizen identification number of GB 11643-1999;
- :mod:`oracle.aid.capital_numerals`: amounts in capital Chinese numerals (大写), both ways;
- :mod:`oracle.aid.identity_hash`: the salted identity hash that joins the platform and the bank;
- :mod:`oracle.aid.population`: generated applicants and their applications, genuine and forged;
- :mod:`oracle.aid.invoices`: the medical-invoice registry stand-in behind an adapter interface;
- :mod:`oracle.aid.investigation`: the bank's investigation feed (background, credit, income);
- :mod:`oracle.aid.hospitals`: hospitals of the government registry found by their exact name;
- :mod:`oracle.aid.documents`: rendered ID cards, medical invoices and diagnosis certificates;
- :mod:`oracle.aid.errors`: the sources' errors (unavailable is never "no record").
"""
