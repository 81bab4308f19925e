-- Siddhi: LogicalPatternTestCase.testQuery17
@app:playback
-- WITHIN 1 sec with the or met after 1.1 s: asserted no event.
-- Siddhi's FLOAT prices are DOUBLE here; Thread.sleep(100) gaps are 100 ms timestamps.
CREATE STREAM Stream1 (symbol STRING, price DOUBLE, volume INT);
CREATE STREAM Stream2 (symbol STRING, price DOUBLE, volume INT);
INSERT INTO OutputStream
SELECT e1.symbol AS symbol1, e2.symbol AS symbol2
FROM PATTERN (e1=Stream1[price > 20] -> e2=Stream2[price > e1.price] or e3=Stream2['IBM' = symbol]) WITHIN 1 SEC;
