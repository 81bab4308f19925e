-- Siddhi: AbsentPatternTestCase.testQueryAbsent24
@app:playback
-- Two absent elements. Asserted: 1 event (IBM, ORACLE).
-- Siddhi's FLOAT price is DOUBLE here; Thread.sleep gaps become timestamps. The test observes
-- output for up to 500 ms after its last send: --until 2700 --no-final-flush.
-- AppStart is read by no query: its event at 0 ms starts the playback clock where Siddhi's
-- app starts before the first send.
CREATE STREAM AppStart (x INT);
CREATE STREAM Stream1 (symbol STRING, price DOUBLE, volume INT);
CREATE STREAM Stream2 (symbol STRING, price DOUBLE, volume INT);
CREATE STREAM Stream3 (symbol STRING, price DOUBLE, volume INT);
CREATE STREAM Stream4 (symbol STRING, price DOUBLE, volume INT);
INSERT INTO OutputStream
SELECT e2.symbol AS symbol2, e4.symbol AS symbol4
FROM PATTERN (not Stream1[price > 10] for 1 sec -> e2=Stream2[price > 20] -> not Stream3[price > 30] for 1 sec -> e4=Stream4[price > 40]);
