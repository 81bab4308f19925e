-- Siddhi: JoinTableTestCase.testTableJoinQuery6
@app:playback
-- Recursive route search through a loop of queries (intermediateResultStream feeds
-- itself). Asserted: an event arrives; by Siddhi's semantics A->B->C->D totals 25 + 10 + 60 = 95.
-- Siddhi's FLOAT/LONG are DOUBLE/BIGINT here; back-to-back sends are 1 ms apart.
CREATE STREAM RequestStream (start STRING, `end` STRING);
CREATE STREAM TimeTableStream (start STRING, `end` STRING, elapsedTime INT, startTime STRING);
CREATE STREAM ResultStream (totalElapsedTime INT);
CREATE TABLE TimeTable (start STRING, `end` STRING, elapsedTime INT, startTime STRING);
INSERT INTO TimeTable SELECT * FROM TimeTableStream;
INSERT INTO intermediateResultStream
SELECT TimeTable.start AS start, TimeTable.`end` AS `end`, TimeTable.elapsedTime AS elapsedTime, RequestStream.`end` AS destination
FROM RequestStream JOIN TimeTable ON TimeTable.start = RequestStream.start;
INSERT INTO ResultStream SELECT elapsedTime AS totalElapsedTime FROM intermediateResultStream WHERE `end` = destination;
-- EventFlux refuses a loop of queries unless one of its streams is @async (a replay runs it
-- synchronously); Siddhi runs the loop synchronously.
@async(buffer.size='1024')
CREATE STREAM intermediateResultStream2 (start STRING, `end` STRING, elapsedTime INT, destination STRING);
INSERT INTO intermediateResultStream2 SELECT * FROM intermediateResultStream WHERE `end` <> destination;
INSERT INTO intermediateResultStream
SELECT TimeTable.start AS start, TimeTable.`end` AS `end`, intermediateResultStream2.elapsedTime + TimeTable.elapsedTime AS elapsedTime, destination
FROM intermediateResultStream2 JOIN TimeTable ON TimeTable.start = intermediateResultStream2.`end`;
