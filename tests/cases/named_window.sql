-- A named window: queries insert into it; every reader (FROM or JOIN) sees the same contents,
-- here the last two trades.
CREATE STREAM Trades (symbol STRING, price DOUBLE);
CREATE WINDOW Recent (symbol STRING, price DOUBLE) WINDOW('length', 2);
CREATE STREAM Orders (symbol STRING, qty INT);
CREATE STREAM Matched (symbol STRING, qty INT, price DOUBLE);
CREATE STREAM Total (total DOUBLE);
INSERT INTO Recent SELECT symbol, price FROM Trades;
INSERT INTO Matched
SELECT o.symbol AS symbol, o.qty AS qty, r.price AS price
FROM Orders AS o UNIDIRECTIONAL JOIN Recent AS r ON o.symbol = r.symbol;
INSERT INTO Total SELECT sum(price) AS total FROM Recent;
