CREATE STREAM Trades (symbol STRING, price DOUBLE, volume INT);
INSERT INTO Out SELECT symbol, count() AS n, sum(volume) AS total FROM Trades WINDOW('lengthBatch', 4) GROUP BY symbol;
