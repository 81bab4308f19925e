-- Siddhi: FunctionTestCase.functionTest1
@app:playback
CREATE STREAM cseEventStream (symbol STRING, price1 FLOAT, price2 FLOAT);
INSERT INTO StockQuote SELECT symbol, coalesce(price1, price2) AS price FROM cseEventStream;
