-- Siddhi: AbsentPatternTestCase.testQueryAbsent18
@app:playback
-- Asserted: 1 event (IBM, GOOGLE).
-- Siddhi's FLOAT price is DOUBLE here; Thread.sleep gaps become timestamps. The test observes
-- output for up to 500 ms after its last send: --until 1700 --no-final-flush.
CREATE STREAM Stream1 (symbol STRING, price DOUBLE, volume INT);
CREATE STREAM Stream2 (symbol STRING, price DOUBLE, volume INT);
CREATE STREAM Stream3 (symbol STRING, price DOUBLE, volume INT);
INSERT INTO OutputStream
SELECT e2.symbol AS symbol2, e3.symbol AS symbol3
FROM PATTERN (not Stream1[price > 10] for 1 sec -> e2=Stream2[price > 20] -> e3=Stream3[price > 30]);
