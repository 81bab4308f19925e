-- Siddhi: AbsentPatternTestCase.testQueryAbsent2
@app:playback
-- The Stream2 event comes after the 1 s. Asserted: 1 event (WSO2).
-- Siddhi's FLOAT price is DOUBLE here; Thread.sleep gaps become timestamps. The test observes
-- output for up to 500 ms after its last send: --until 1600 --no-final-flush.
CREATE STREAM Stream1 (symbol STRING, price DOUBLE, volume INT);
CREATE STREAM Stream2 (symbol STRING, price DOUBLE, volume INT);
INSERT INTO OutputStream
SELECT e1.symbol AS symbol1
FROM PATTERN (e1=Stream1[price > 20] -> not Stream2[price > e1.price] for 1 sec);
