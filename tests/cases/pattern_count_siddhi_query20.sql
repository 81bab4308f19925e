-- Siddhi: CountPatternTestCase.testQuery20
@app:playback
-- every on a later counting element; WITHIN ends the attempt after the gap. Asserted: 2 events. count() over the matches (no window) counts them: 1, 2, ...
-- Back-to-back sends are 1 ms apart; Thread.sleep(4000) is a 4 s gap.
CREATE STREAM InputStream (name STRING);
INSERT INTO OutputStream
SELECT 'rule1' AS ruleId, count() AS numOfEvents
FROM PATTERN (e1=InputStream[e1.name = 'A']<2> -> every e2=InputStream[e2.name = 'B']<2>)
WITHIN 3 SECONDS;
