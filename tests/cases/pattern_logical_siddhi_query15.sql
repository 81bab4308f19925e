-- Siddhi: LogicalPatternTestCase.testQuery15
@app:playback
-- every around an and: asserted (WSO2, 35), (GOOGLE, 55).
-- Siddhi's FLOAT prices are DOUBLE here; Thread.sleep(100) gaps are 100 ms timestamps.
CREATE STREAM Stream1 (symbol STRING, price DOUBLE, volume INT);
CREATE STREAM Stream2 (symbol STRING, price DOUBLE, volume INT);
INSERT INTO OutputStream
SELECT e1.symbol AS symbol1, e2.price AS price2
FROM PATTERN (every (e1=Stream1[price > 20] and e2=Stream2[price > 30]));
