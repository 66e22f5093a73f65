//! Reads the repositories share: every document a filter matches, in an order; and one page of
//! them with the total count (server-side `sort`, `skip`, `limit` and `countDocuments`).

use campaign_domain::paging::{Page, PageRequest, Pagination};
use campaign_ports::StoreError;
use futures::TryStreamExt as _;
use mongodb::Collection;
use mongodb::bson::Document;

use crate::errors::failed;

/// Every document of `collection` matching `filter`, in `sort` order.
pub(crate) async fn all(
    collection: &Collection<Document>,
    filter: Document,
    sort: Document,
) -> Result<Vec<Document>, StoreError> {
    collection
        .find(filter)
        .sort(sort)
        .await
        .map_err(failed("find"))?
        .try_collect()
        .await
        .map_err(failed("read"))
}

/// One page of the documents of `collection` matching `filter`, in `sort` order, each read
/// with `read`, and the total count.
pub(crate) async fn page<T>(
    collection: &Collection<Document>,
    filter: Document,
    sort: Document,
    request: PageRequest,
    read: impl Fn(Document) -> Result<T, StoreError>,
) -> Result<Page<T>, StoreError> {
    let total = collection
        .count_documents(filter.clone())
        .await
        .map_err(failed("count"))?;
    let docs: Vec<Document> = collection
        .find(filter)
        .sort(sort)
        .skip(request.offset())
        .limit(i64::from(request.page_size()))
        .await
        .map_err(failed("find page"))?
        .try_collect()
        .await
        .map_err(failed("read page"))?;
    Ok(Page {
        items: docs.into_iter().map(read).collect::<Result<_, _>>()?,
        pagination: Pagination {
            page: request.page(),
            page_size: request.page_size(),
            total,
        },
    })
}
