-- Siddhi: AbsentPatternTestCase.testQueryAbsent7
@app:playback
-- Stream2 arrives during the wait. Asserted: no event.
-- Siddhi's FLOAT price is DOUBLE here; Thread.sleep gaps become timestamps. The test observes
-- output for up to 500 ms after its last send: --until 600 --no-final-flush.
CREATE STREAM Stream1 (symbol STRING, price DOUBLE, volume INT);
CREATE STREAM Stream2 (symbol STRING, price DOUBLE, volume INT);
INSERT INTO OutputStream
SELECT e2.symbol AS symbol
FROM PATTERN (not Stream1[price > 20] for 1 sec -> e2=Stream2[price > 30]);
