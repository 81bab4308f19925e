-- Siddhi: SequenceTestCase.testQuery3
@app:playback
-- A trailing e2* matches nothing: asserted (WSO2, null, null), (IBM, null, null).
-- Siddhi's FLOAT prices are DOUBLE here; Thread.sleep(100) gaps are 100 ms, back-to-back sends 1 ms.
CREATE STREAM Stream1 (symbol STRING, price DOUBLE, volume INT);
CREATE STREAM Stream2 (symbol STRING, price DOUBLE, volume INT);
INSERT INTO OutputStream
SELECT e1.symbol AS symbol1, e2[0].symbol AS symbol2, e2[1].symbol AS symbol3
FROM SEQUENCE (every e1=Stream1[price > 20], e2=Stream2[price > e1.price]*);
