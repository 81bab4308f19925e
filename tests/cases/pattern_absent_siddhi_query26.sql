-- Siddhi: AbsentPatternTestCase.testQueryAbsent26
@app:playback
-- Asserted: no event.
-- Siddhi's FLOAT price is DOUBLE here; Thread.sleep gaps become timestamps. The test observes
-- output for up to 500 ms after its last send: --until 700 --no-final-flush.
CREATE STREAM Stream1 (symbol STRING, price DOUBLE, volume INT);
CREATE STREAM Stream2 (symbol STRING, price DOUBLE, volume INT);
CREATE STREAM Stream3 (symbol STRING, price DOUBLE, volume INT);
CREATE STREAM Stream4 (symbol STRING, price DOUBLE, volume INT);
INSERT INTO OutputStream
SELECT e2.symbol AS symbol2, e4.symbol AS symbol4
FROM PATTERN (not Stream1[price > 10] for 1 sec -> e2=Stream2[price > 20] -> not Stream3[price > 30] for 1 sec -> e4=Stream4[price > 40]);
