-- Siddhi: JoinTestCase.joinTest18
@app:playback
-- (query2 only: query1's WINDOW('length', 0) is refused by EventFlux)
-- count() over a stream-table join emits one row per triggering event (Siddhi's selector keeps
-- the last row of each join chunk). Asserted: countOutB 4 then 4 (length(1): the expired first event retracts 3, the new
-- one adds 3). The delete query is defined before countIn's, so it runs first.
CREATE STREAM dataIn (id INT, data STRING);
CREATE STREAM countIn (id INT);
CREATE STREAM deleteIn (id INT);
CREATE TABLE dataTable (id INT, data STRING);
INSERT INTO dataTable SELECT * FROM dataIn;
DELETE FROM dataTable USING deleteIn WHERE dataTable.id = deleteIn.id;
INSERT INTO countIn SELECT id FROM deleteIn;
INSERT INTO countOutB SELECT count() AS count FROM countIn WINDOW('length', 1) AS c JOIN dataTable AS d;
