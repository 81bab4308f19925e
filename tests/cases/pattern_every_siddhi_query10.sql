-- Siddhi: EveryPatternTestCase.testQuery10
@app:playback
-- Partitioned every group with a counting element. Asserted: 3 events (id_1, hans),
-- (id_8, werner), (id_17, hans). Timestamps as the test sends them (1 ms apart, a 3 s gap).
CREATE STREAM LoginFailure (id STRING, user STRING, type STRING);
CREATE STREAM LoginSuccess (id STRING, user STRING, type STRING);
PARTITION WITH (user OF LoginFailure, user OF LoginSuccess)
BEGIN
  INSERT INTO BreakIn
  SELECT e0.id AS id, e2.user AS user
  FROM PATTERN (every (e0=LoginFailure -> e1=LoginFailure<3:> -> e2=LoginSuccess));
END;
