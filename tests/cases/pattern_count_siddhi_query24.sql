-- Siddhi: CountPatternTestCase.testQuery24
@app:playback
-- Not partitioned; a success before three failures is ignored. Asserted: 3 events.
CREATE STREAM LoginFailure (id STRING, user STRING, type STRING);
CREATE STREAM LoginSuccess (id STRING, user STRING, type STRING);
INSERT INTO BreakIn
  SELECT e1[0].id AS id, e2.user AS user
  FROM PATTERN (every (e1=LoginFailure<3:> -> e2=LoginSuccess));
