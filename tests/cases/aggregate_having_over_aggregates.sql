-- HAVING may test a SELECT item by its expression (sum(price)) as well as by its alias.
@app:playback
CREATE STREAM T (sym STRING, price DOUBLE);
INSERT INTO O
SELECT sym, sum(price) AS total, count() AS n
FROM T WINDOW('length', 3)
GROUP BY sym
HAVING sum(price) > 3 AND (count() > 1 OR sym = 'b');
