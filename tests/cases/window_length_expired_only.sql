CREATE STREAM Trades (symbol STRING, price DOUBLE, volume INT);
INSERT EXPIRED EVENTS INTO Out SELECT volume FROM Trades WINDOW('length', 2);
