//! Storage and analytics sinks: rotating files (plain text, binary, LZ4), Parquet, ClickHouse.
//! They share a rotation core (zero-loss file swaps, partitioned paths) and a buffer pool.

pub mod binary;
pub mod clickhouse;
pub mod codec;
pub mod parquet;
pub mod pool;
pub mod rotation;
