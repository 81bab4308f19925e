-- Siddhi: CountPatternTestCase.testQuery26
@app:playback
-- Partition with @purge, WITHIN 1 sec, HAVING on e1[3]. Asserted: 2 events (id_8, werner),
-- (id_17, hans); ben's match has no fourth failure and is filtered.
CREATE STREAM AuthenticationStream (id STRING, user STRING, type STRING);
@purge(enable='true', interval='1 sec', idle.period='2 sec')
PARTITION WITH (user OF AuthenticationStream)
BEGIN
  INSERT INTO BreakIn
  SELECT e1[0].id AS id, e1[0].user AS user, e1[3].id AS id4
  FROM PATTERN (every (e1=AuthenticationStream[type = 'failure']<1:> -> e2=AuthenticationStream[type = 'success']))
  WITHIN 1 SEC
  HAVING NOT (id4 IS NULL);
END;
