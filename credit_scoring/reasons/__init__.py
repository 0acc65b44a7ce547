"""Reasons a credit officer can say to the client.

`catalogue` gives every model feature its label, unit, family and statements (French and English);
`families` and `words` hold the wording it is built from; `values` states a value in its unit;
`principal` groups a score's contributions into principal reasons, one per family; `grounds` pairs them
with the application's coverage, the part of a decision the store keeps for its clients. Standard
library and numpy only: serving imports it.
"""
