CREATE STREAM Trades (symbol STRING, price DOUBLE, volume INT);
INSERT INTO Out SELECT symbol, sum(volume) AS total FROM Trades WINDOW('lengthBatch', 4) GROUP BY symbol HAVING total > 3 ORDER BY total DESC LIMIT 2;
