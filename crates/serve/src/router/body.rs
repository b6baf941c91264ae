//! Reading a call's body under its size plan and the shared memory budget.

use super::super::envelope::ApiError;
use super::super::limits;

/// Why a body was not read in full.
enum Unread {
    /// Longer than the plan's limit.
    TooLarge,
    /// The client stalled or trickled (`connections::PacedBody`).
    TooSlow(String),
    /// The memory budget stayed taken for `BUDGET_WAIT`.
    Busy,
    /// The connection failed (the client is gone).
    Broken,
}

/// Memory budget (KiB permits) one request holds, taken a little at a time: as its body's
/// bytes arrive, then for parsing and handling once its real length is known. Nothing is
/// reserved for what a client only announces, so a slow body holds only what it sent.
pub(super) struct Held<'a> {
    pool: &'a tokio::sync::Semaphore,
    permit: Option<tokio::sync::SemaphorePermit<'a>>,
    kib: u32,
}

impl<'a> Held<'a> {
    fn new(pool: &'a tokio::sync::Semaphore) -> Self {
        Held {
            pool,
            permit: None,
            kib: 0,
        }
    }

    /// Hold `kib` in all, waiting at most `BUDGET_WAIT` for the rest.
    async fn grow_to(&mut self, kib: u32) -> Result<(), Unread> {
        if kib <= self.kib {
            return Ok(());
        }
        let more = self.pool.acquire_many(kib - self.kib);
        let Ok(Ok(p)) = tokio::time::timeout(limits::BUDGET_WAIT, more).await else {
            return Err(Unread::Busy);
        };
        match &mut self.permit {
            Some(held) => held.merge(p),
            None => self.permit = Some(p),
        }
        self.kib = kib;
        Ok(())
    }
}

/// Read a body of at most `limit` bytes into one buffer (sized from Content-Length, so
/// the bytes are held once, pages untouched until they arrive), taking budget for the
/// bytes as they come.
async fn read_body(
    body: axum::body::Body,
    limit: usize,
    hint: Option<u64>,
    held: &mut Held<'_>,
) -> Result<Vec<u8>, Unread> {
    use futures_util::StreamExt;
    let mut out = Vec::with_capacity(hint.unwrap_or(0).min(limit as u64) as usize);
    let mut stream = body.into_data_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| {
            let e = e.into_inner();
            if super::super::connections::is_too_slow(e.as_ref()) {
                Unread::TooSlow(e.to_string())
            } else {
                Unread::Broken
            }
        })?;
        if out.len() + chunk.len() > limit {
            return Err(Unread::TooLarge);
        }
        held.grow_to(kib_of(out.len() + chunk.len())).await?;
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

fn kib_of(bytes: usize) -> u32 {
    bytes.div_ceil(1024).min(u32::MAX as usize) as u32
}

/// Read the body of a call under the plan its announced length gives and the memory
/// budget `pool`: the bytes, the plan their real length gives and the budget held for
/// them (hold it until the answer is built), or the error to answer.
pub(super) async fn read_call_body(
    body: axum::body::Body,
    content_length: Option<u64>,
    authenticated: bool,
    pool: &tokio::sync::Semaphore,
) -> Result<(Vec<u8>, limits::BodyPlan, Held<'_>), ApiError> {
    let plan = limits::BodyPlan::new(content_length, authenticated)?;
    let mut held = Held::new(pool);
    let read = read_body(body, plan.read_limit, content_length, &mut held).await;
    let read = match read {
        // What the body really is decides what it may expand to, not what it announced.
        Ok(bytes) => match limits::BodyPlan::new(Some(bytes.len() as u64), authenticated) {
            Ok(real) => held
                .grow_to(real.budget_kib())
                .await
                .map(|()| (bytes, real)),
            Err(_) => Err(Unread::TooLarge),
        },
        Err(e) => Err(e),
    };
    match read {
        Ok((bytes, real)) => Ok((bytes, real, held)),
        Err(Unread::TooLarge) => {
            let what = if authenticated {
                "without a Content-Length"
            } else {
                "without credentials"
            };
            Err(limits::too_large(plan.read_limit, what))
        }
        Err(Unread::TooSlow(why)) => Err(ApiError::new(408, 0, why)),
        Err(Unread::Busy) => Err(ApiError::new(
            503,
            0,
            "the server is busy reading other large requests; retry in a moment",
        )),
        Err(Unread::Broken) => Err(ApiError::new(400, 0, "the request body was cut short")),
    }
}
