"""What the model sees of a client.

`application` (numpy only) turns application columns into features, for a whole table at training
time and for one application at serving time; `history` (pandas) aggregates the six history tables per
client; `frame` puts both together for training. Import the module you need: this package imports
nothing, so that serving never loads pandas.
"""
