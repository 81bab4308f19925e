-- Siddhi: EveryPatternTestCase.testQuery9
@app:playback
-- The same name e1 on both elements; e1 resolves to the first: asserted 55.6 then 77.6.
-- Siddhi's FLOAT prices are DOUBLE here; Thread.sleep(100) gaps are 100 ms timestamps.
CREATE STREAM Stream1 (symbol STRING, price DOUBLE, volume INT);
INSERT INTO OutputStream
SELECT e1.price AS price1
FROM PATTERN (every e1=Stream1[symbol = 'MSFT'] -> e1=Stream1[symbol = 'WSO2']);
