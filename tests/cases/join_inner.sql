CREATE STREAM StockStream (symbol STRING, price DOUBLE, volume BIGINT);
CREATE STREAM TwitterStream (company STRING, tweet STRING);
INSERT INTO Out SELECT symbol, tweet, price FROM StockStream WINDOW('length', 3) JOIN TwitterStream WINDOW('length', 1) ON symbol = company;
