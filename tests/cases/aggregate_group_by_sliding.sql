CREATE STREAM Trades (symbol STRING, price DOUBLE, volume INT);
INSERT INTO Out SELECT symbol, sum(volume) AS total FROM Trades WINDOW('length', 3) GROUP BY symbol;
