CREATE STREAM Trades (symbol STRING, price DOUBLE, volume INT);
INSERT ALL EVENTS INTO Out SELECT volume FROM Trades WINDOW('length', 4);
