-- Siddhi: AbsentPatternTestCase.testQueryAbsent6
@app:playback
-- A Stream1 event restarts the wait. Asserted: 1 event (IBM).
-- Siddhi's FLOAT price is DOUBLE here; Thread.sleep gaps become timestamps. The test observes
-- output for up to 500 ms after its last send: --until 2700 --no-final-flush.
-- AppStart is read by no query: its event at 0 ms starts the playback clock where Siddhi's
-- app starts before the first send.
CREATE STREAM AppStart (x INT);
CREATE STREAM Stream1 (symbol STRING, price DOUBLE, volume INT);
CREATE STREAM Stream2 (symbol STRING, price DOUBLE, volume INT);
INSERT INTO OutputStream
SELECT e2.symbol AS symbol
FROM PATTERN (not Stream1[price > 20] for 1 sec -> e2=Stream2[price > 30]);
