-- Siddhi: CountPatternTestCase.testQuery23
@app:playback
-- Partitioned, users interleaved. Asserted: 3 events.
CREATE STREAM LoginFailure (id STRING, user STRING, type STRING);
CREATE STREAM LoginSuccess (id STRING, user STRING, type STRING);
PARTITION WITH (user OF LoginFailure, user OF LoginSuccess)
BEGIN
  INSERT INTO BreakIn
  SELECT e1[0].id AS id, e2.user AS user
  FROM PATTERN (every (e1=LoginFailure<3:> -> e2=LoginSuccess));
END;
