//! The pasted credentials block (filled in below).
