-- Siddhi: AbsentPatternTestCase.testQueryAbsent11
@app:playback
-- Asserted: 1 event (WSO2, IBM).
-- Siddhi's FLOAT price is DOUBLE here; Thread.sleep gaps become timestamps. The test observes
-- output for up to 5000 ms after its last send: --until 5100 --no-final-flush.
CREATE STREAM Stream1 (symbol STRING, price DOUBLE, volume INT);
CREATE STREAM Stream2 (symbol STRING, price DOUBLE, volume INT);
CREATE STREAM Stream3 (symbol STRING, price DOUBLE, volume INT);
INSERT INTO OutputStream
SELECT e1.symbol AS symbol1, e2.symbol AS symbol2
FROM PATTERN (e1=Stream1[price > 10] -> e2=Stream2[price > 20] -> not Stream3[price > 30] for 1 sec);
