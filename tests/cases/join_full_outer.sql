CREATE STREAM StockStream (symbol STRING, price DOUBLE, volume BIGINT);
CREATE STREAM TwitterStream (company STRING, tweet STRING);
INSERT INTO Out SELECT s.symbol AS symbol, t.tweet AS tweet, s.price AS price
FROM StockStream WINDOW('length', 3) AS s FULL OUTER JOIN TwitterStream WINDOW('length', 1) AS t ON s.symbol = t.company;
