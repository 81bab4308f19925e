-- Siddhi: LogicalPatternTestCase.testQuery19
@app:playback
-- every around a leading and: asserted (ORACLE, MICROSOFT, GOOGLE), (IBM, WSO2, GOOGLE).
-- Siddhi's FLOAT prices are DOUBLE here; Thread.sleep(100) gaps are 100 ms timestamps.
CREATE STREAM Stream1 (symbol STRING, price DOUBLE, volume INT);
CREATE STREAM Stream2 (symbol STRING, price DOUBLE, volume INT);
CREATE STREAM Stream3 (symbol STRING, price DOUBLE, volume INT);
INSERT INTO OutputStream
SELECT e1.symbol AS symbol1, e2.symbol AS symbol2, e3.symbol AS symbol3
FROM PATTERN (every (e1=Stream1[price > 10] and e2=Stream2[price > 20]) -> e3=Stream3[price > 30]);
