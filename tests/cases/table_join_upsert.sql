CREATE STREAM PriceUpdates (symbol STRING, price DOUBLE);
CREATE STREAM Orders (symbol STRING, qty INT);
CREATE TABLE Prices (symbol STRING, price DOUBLE, PRIMARY KEY (symbol));
UPSERT INTO Prices SELECT symbol, price FROM PriceUpdates;
INSERT INTO Priced
SELECT o.symbol AS symbol, o.qty AS qty, p.price AS price, o.qty * p.price AS total
FROM Orders AS o LEFT OUTER JOIN Prices AS p ON o.symbol = p.symbol;
