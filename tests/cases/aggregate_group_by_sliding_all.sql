CREATE STREAM Trades (symbol STRING, price DOUBLE, volume INT);
INSERT ALL EVENTS INTO Out SELECT symbol, sum(volume) AS total FROM Trades WINDOW('length', 3) GROUP BY symbol;
