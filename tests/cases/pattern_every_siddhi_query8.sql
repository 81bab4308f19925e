-- Siddhi: EveryPatternTestCase.testQuery8
@app:playback
-- A single every element: asserted 55.6 then 57.6.
-- Siddhi's FLOAT prices are DOUBLE here; Thread.sleep(100) gaps are 100 ms timestamps.
CREATE STREAM Stream1 (symbol STRING, price DOUBLE, volume INT);
INSERT INTO OutputStream
SELECT e1.price AS price1
FROM PATTERN (every e1=Stream1[price > 20]);
