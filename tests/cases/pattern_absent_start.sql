-- A pattern may open with an absent element. Its wait starts when the app's time starts (the
-- first event's time, 300, under playback) and starts over at each event it forbids. Without `every` it is met once;
-- `every not A for t` is met again each further quiet period.
CREATE STREAM Temps (room INT, temp DOUBLE);
CREATE STREAM Regulators (room INT);
CREATE STREAM Quiet (room INT);
CREATE STREAM Calm (at BIGINT);
-- A regulator event once no hot reading came for a second (a regulator during the wait does
-- not count).
INSERT INTO Quiet SELECT e2.room AS room
FROM PATTERN (not Temps[temp > 60] for 1 sec -> e2=Regulators);
-- A heartbeat per quiet second.
INSERT INTO Calm SELECT event_timestamp() AS at
FROM PATTERN (every not Temps[temp > 60] for 1 sec);
-- In a pair at the start, a forbidden event starts the whole wait over as well: quiet from
-- 300 (the hot reading) to 1300, no frost reading meanwhile.
CREATE STREAM QuietOrFrost (at BIGINT, frost DOUBLE);
INSERT INTO QuietOrFrost SELECT event_timestamp() AS at, e2.temp AS frost
FROM PATTERN (not Temps[temp > 60] for 1 sec or e2=Temps[temp < 0]);
-- `every ( ... )` around it: a new wait begins each time an attempt got through the group.
CREATE STREAM Repeat (room INT);
INSERT INTO Repeat SELECT e2.room AS room
FROM PATTERN (every (not Temps[temp > 60] for 1 sec -> e2=Regulators));
