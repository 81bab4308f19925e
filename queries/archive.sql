-- Archives one trade stream two ways at once: replayable binary logs (LZ4, hourly) and Parquet
-- files (zstd, hourly, one directory per symbol) that DuckDB, pyarrow or Spark read. A
-- five-second summary is printed meanwhile.
-- Run: cargo run --release -- run queries/archive.sql       (writes under ./archive)
--      cargo run --release -- read archive/binary/<day>/<hour>/<file>.bin.lz4 --json | head
--      python3 -c "import glob, pyarrow.parquet as pq; print(sum(pq.read_metadata(f).num_rows for f in glob.glob('archive/parquet/**/*.parquet', recursive=True)))"
@app:name('Archive')

@source(type='datagen', rate='2000', count='20000',
        fields.symbol.kind='one_of', fields.symbol.values='IBM,WSO2,ORCL',
        fields.price.kind='random', fields.price.min='10', fields.price.max='200',
        fields.volume.kind='random', fields.volume.min='1', fields.volume.max='1000')
CREATE STREAM Trades (symbol STRING, price DOUBLE, volume INT);

-- Files appear under their final names only once complete (.inprogress until then).
@sink(type='binary', path='${ARCHIVE_DIR:archive}/binary', rotation='hourly', compression='lz4')
@sink(type='parquet', path='${ARCHIVE_DIR:archive}/parquet', rotation='hourly',
      partition.by='symbol', compression='zstd')
CREATE STREAM Archived (symbol STRING, price DOUBLE, volume INT);

@sink(type='stdout')
CREATE STREAM Summary (symbol STRING, trades BIGINT, volume BIGINT);

INSERT INTO Archived SELECT symbol, price, volume FROM Trades;

@info(name='five-second-summary')
INSERT INTO Summary
SELECT symbol, count() AS trades, sum(volume) AS volume
FROM Trades WINDOW TUMBLING(5 SECONDS)
GROUP BY symbol;
