-- The end of the input moves time on: the open tumbling batch closes and is emitted, and the
-- pending absent wait fires. (With --no-final-flush, see end_of_input_no_final_flush.args, the
-- run stops at the last event and both are left.)
@app:playback
CREATE STREAM S (k STRING, v INT);
INSERT INTO Sums SELECT k, sum(v) AS total FROM S WINDOW TUMBLING(1 SECOND) GROUP BY k;
INSERT INTO Quiet SELECT e1.k AS k FROM PATTERN (e1=S[v > 5] -> not S[k = e1.k] for 2 SECONDS);
