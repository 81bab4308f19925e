-- Siddhi: CountPatternTestCase.testQuery25
@app:playback
-- Partitioned with WITHIN 2 SEC: hans's first failures expire. Asserted: 2 events.
CREATE STREAM LoginFailure (id STRING, user STRING, type STRING);
CREATE STREAM LoginSuccess (id STRING, user STRING, type STRING);
PARTITION WITH (user OF LoginFailure, user OF LoginSuccess)
BEGIN
  INSERT INTO BreakIn
  SELECT e1[0].id AS id, e2.user AS user
  FROM PATTERN (every (e1=LoginFailure<3:> -> e2=LoginSuccess)) WITHIN 2 SEC;
END;
