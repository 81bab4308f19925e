-- Siddhi: CountPatternTestCase.testQuery19
@app:playback
-- two A's, then two or more B's (emitted at the second). Asserted: 4 events. count() over the matches (no window) counts them: 1, 2, ...
-- Back-to-back sends are 1 ms apart; Thread.sleep(4000) is a 4 s gap.
CREATE STREAM InputStream (name STRING);
INSERT INTO OutputStream
SELECT 'rule1' AS ruleId, count() AS numOfEvents
FROM PATTERN (every e1=InputStream[e1.name = 'A']<2> -> e2=InputStream[e2.name = 'B']<2:>)
WITHIN 3 SECONDS;
