-- Siddhi: SequenceTestCase.testTimeBatchAndSequence
@app:playback
-- A sequence over a timeBatch aggregate. Siddhi's real-time sends (5 events 100 ms apart,
-- 500 ms pause, 8 more 100 ms apart) become timestamps 0..400 and 900..1600: the batches
-- [0, 1000) and [1000, 2000) count 6 and 7. Asserted: 1 event (abc, 123, oldNum < newNum).
CREATE STREAM received_reclamations (timestamp BIGINT, product_id STRING, defect_category STRING);
INSERT INTO reclamation_averages
SELECT product_id, defect_category, count() AS num
FROM received_reclamations WINDOW('timeBatch', 1 SEC)
GROUP BY product_id, defect_category;
INSERT INTO increased_reclamations
SELECT a.product_id AS product_id, a.defect_category AS defect_category, a.num AS oldNum, b.num AS newNum
FROM SEQUENCE (a=reclamation_averages[num > 1],
               b=reclamation_averages[num > a.num AND product_id = a.product_id AND defect_category = a.defect_category]);
