CREATE STREAM StockStream (symbol STRING, price DOUBLE, volume BIGINT);
CREATE STREAM TwitterStream (company STRING, tweet STRING);
INSERT INTO Out SELECT symbol, count() AS n, sum(price) AS total FROM StockStream WINDOW('length', 10) JOIN TwitterStream WINDOW('length', 5) ON symbol = company WHERE price > 56 GROUP BY symbol;
