//! Editing the api block (filled in below).
