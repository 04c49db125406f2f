"""Exports of plans and action points: flat CSV, HXL, workshop-layout XLSX, iCalendar."""
