-- Siddhi: LogicalPatternTestCase.testQuery5
@app:playback
-- One event meeting both sides of the and fills both: asserted 1 event (WSO2, 72.7, 72.7).
-- Siddhi's FLOAT prices are DOUBLE here; Thread.sleep(100) gaps are 100 ms timestamps.
CREATE STREAM Stream1 (symbol STRING, price DOUBLE, volume INT);
CREATE STREAM Stream2 (symbol STRING, price DOUBLE, volume INT);
INSERT INTO OutputStream
SELECT e1.symbol AS symbol1, e2.price AS price2, e3.price AS price3
FROM PATTERN (e1=Stream1[price > 20] -> e2=Stream2[price > e1.price] and e3=Stream2['IBM' = symbol]);
