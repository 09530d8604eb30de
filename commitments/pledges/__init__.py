"""Bidding pledges: tenders, a bidder's credit pledge in place of a bid deposit, the tendering
authority's outcome and non-refund notice, and the listing of unpaid defaulters."""
