-- Siddhi: FunctionTestCase.functionTest3
@app:playback
CREATE STREAM cseEventStream (symbol STRING, price1 FLOAT, price2 FLOAT, volume LONG, quantity INT);
INSERT INTO outputStream
SELECT symbol, coalesce(price1, price2) AS price, quantity
FROM cseEventStream WHERE coalesce(price1, price2) > 0;
